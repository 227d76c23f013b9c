namespace Ferry.Agent.Downloads;

/// <summary>What /status and /ds show about a dataset: files and bytes, done and in total.</summary>
public sealed record DatasetProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, int FilesActive);

/// <summary>A running download of one dataset (or the expansion of one container): its cancellation and its counters.</summary>
internal sealed class DatasetJob(CancellationToken stopping)
{
    public CancellationTokenSource Cancel { get; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    public Task Task { get; set; } = Task.CompletedTask;
    private long _bytesDone, _bytesTotal;
    private int _filesDone, _filesTotal, _active;

    public void Reset(int filesDone, int filesTotal, long bytesDone, long bytesTotal)
    {
        _filesDone = filesDone; _filesTotal = filesTotal;
        Interlocked.Exchange(ref _bytesDone, bytesDone);
        Interlocked.Exchange(ref _bytesTotal, bytesTotal);
    }

    public void AddBytes(long n) => Interlocked.Add(ref _bytesDone, n);
    public void FileDone() => Interlocked.Increment(ref _filesDone);
    public void Started() => Interlocked.Increment(ref _active);
    public void Stopped() => Interlocked.Decrement(ref _active);

    public DatasetProgress Progress => new(Volatile.Read(ref _filesDone), Volatile.Read(ref _filesTotal), Interlocked.Read(ref _bytesDone),
        Interlocked.Read(ref _bytesTotal), Volatile.Read(ref _active));
}

/// <summary>Reports each block to a callback on the writing thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class Callback(Action<long> report) : IProgress<long>
{
    public void Report(long value) => report(value);
}
