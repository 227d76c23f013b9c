using System.Buffers.Binary;
using System.Text;

namespace Ferry.Storage.Sftp;

/// <summary>SFTP version 3 message types and status codes (draft-ietf-secsh-filexfer-02), the version OpenSSH speaks.</summary>
internal static class Fxp
{
    public const byte Init = 1, Version = 2, Open = 3, Close = 4, Read = 5, Write = 6, Stat = 17, OpenDir = 11, ReadDir = 12,
        Remove = 13, MkDir = 14, Rename = 18, Extended = 200, Status = 101, Handle = 102, Data = 103, Name = 104, Attrs = 105;
    public const uint FlagRead = 1, FlagWrite = 2, FlagCreate = 8, FlagTruncate = 0x10;
    public const uint Ok = 0, Eof = 1, NoSuchFile = 2, PermissionDenied = 3, Failure = 4, OpUnsupported = 8;
    public const uint AttrSize = 1, AttrUidGid = 2, AttrPermissions = 4, AttrTimes = 8, AttrExtended = 0x80000000;
}

/// <summary>Builds one request: length, type, request id, then fields.</summary>
internal sealed class PacketWriter
{
    private readonly MemoryStream _buffer = new();

    public PacketWriter(byte type, uint? id)
    {
        _buffer.Write(stackalloc byte[4]);
        _buffer.WriteByte(type);
        if (id is { } i) UInt32(i);
    }

    public PacketWriter UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public PacketWriter UInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public PacketWriter String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    public PacketWriter Bytes(ReadOnlySpan<byte> value)
    {
        UInt32((uint)value.Length);
        _buffer.Write(value);
        return this;
    }

    public PacketWriter EmptyAttrs() => UInt32(0);

    public ArraySegment<byte> Finish()
    {
        var bytes = _buffer.GetBuffer();
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(_buffer.Length - 4));
        return new ArraySegment<byte>(bytes, 0, (int)_buffer.Length);
    }
}

/// <summary>One response, read field by field after its type and id.</summary>
internal sealed class Packet(byte type, byte[] body, int position)
{
    private int _pos = position;
    public byte Type { get; } = type;
    public bool HasMore => _pos < body.Length;

    public uint UInt32() { var v = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(_pos)); _pos += 4; return v; }
    public ulong UInt64() { var v = BinaryPrimitives.ReadUInt64BigEndian(body.AsSpan(_pos)); _pos += 8; return v; }
    public ReadOnlyMemory<byte> Bytes() { var n = (int)UInt32(); var m = body.AsMemory(_pos, n); _pos += n; return m; }
    public string String() => Encoding.UTF8.GetString(Bytes().Span);

    /// <summary>Reads an ATTRS structure and returns the size and permission bits where present.</summary>
    public (long? Size, uint? Permissions) Attrs()
    {
        var flags = UInt32();
        long? size = null; uint? perms = null;
        if ((flags & Fxp.AttrSize) != 0) size = (long)UInt64();
        if ((flags & Fxp.AttrUidGid) != 0) { UInt32(); UInt32(); }
        if ((flags & Fxp.AttrPermissions) != 0) perms = UInt32();
        if ((flags & Fxp.AttrTimes) != 0) { UInt32(); UInt32(); }
        if ((flags & Fxp.AttrExtended) != 0)
            for (var n = UInt32(); n > 0; n--) { Bytes(); Bytes(); }
        return (size, perms);
    }
}
