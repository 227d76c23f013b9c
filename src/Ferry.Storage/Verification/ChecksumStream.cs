using System.Security.Cryptography;
using Ferry.Core.Checksums;

namespace Ferry.Storage.Verification;

public sealed record Checksums(long Bytes, string Adler32, string? Md5);

/// <summary>Accumulates adler32 (always) and md5 (on request: it is far slower) over bytes as they pass.</summary>
public sealed class ChecksumAccumulator : IDisposable
{
    private uint _adler = Adler32.Initial;
    private readonly IncrementalHash? _md5;
    public long Bytes { get; private set; }

    public ChecksumAccumulator(bool md5) => _md5 = md5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;

    public void Append(ReadOnlySpan<byte> data)
    {
        _adler = Adler32.Update(_adler, data);
        _md5?.AppendData(data);
        Bytes += data.Length;
    }

    public Checksums Result() =>
        new(Bytes, Adler32.ToHex(_adler), _md5 is null ? null : Convert.ToHexStringLower(_md5.GetHashAndReset()));

    public void Dispose() => _md5?.Dispose();
}
