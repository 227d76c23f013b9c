namespace Ferry.Storage;

/// <summary>
/// A storage operation failed. <see cref="Permanent"/> says whether retrying can help: a missing object, a refused
/// credential or a read-only target will not get better, a reset connection or a timeout may.
/// </summary>
public sealed class StorageException(string message, bool permanent, Exception? inner = null) : IOException(message, inner)
{
    public bool Permanent { get; } = permanent;
}
