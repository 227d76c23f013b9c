using Dapper;
using Microsoft.Data.Sqlite;

namespace Ferry.Catalog.Db;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file on a connection of its own, after writers commit.
/// SQLite's automatic checkpoint runs inside the committing call: a rule over 100,000 files waited 0.6–0.9 s for it
/// after its data was already committed. A PASSIVE checkpoint runs beside readers and writers, so moving it here
/// changes no one's view of the data, only who waits for it. A kill -9 leaves the log, which SQLite replays on open.
/// </summary>
internal sealed class WalCheckpointer(Func<SqliteConnection> open, TimeProvider clock)
{
    /// <summary>
    /// The connections' own automatic checkpoint stays as a backstop (in pages of 4 KiB): if this one fails or falls
    /// behind, the log still cannot grow past about 400 MB.
    /// </summary>
    public const int BackstopPages = 100_000;

    // At most one checkpoint per interval: each ends with an fsync, and small writes can commit hundreds of times a second.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private int _pending;
    private int _running;
    private long _lastStarted;

    /// <summary>Called after every commit; returns at once.</summary>
    public void Committed()
    {
        Volatile.Write(ref _pending, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0) _ = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            while (Interlocked.Exchange(ref _pending, 0) == 1)
            {
                var last = Volatile.Read(ref _lastStarted);
                var wait = last == 0 ? TimeSpan.Zero : Interval - clock.GetElapsedTime(last);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock);
                Volatile.Write(ref _lastStarted, clock.GetTimestamp());
                try
                {
                    await using var c = open();
                    await c.ExecuteAsync("PRAGMA wal_checkpoint(PASSIVE)");
                }
                // A failed checkpoint is retried after the next commit; the backstop bounds the log meanwhile.
                catch (SqliteException) { }
                catch (IOException) { }
            }
            Volatile.Write(ref _running, 0);
            // A commit that arrived after the last check but before _running was cleared started no loop of its own.
            if (Volatile.Read(ref _pending) == 0 || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
        }
    }
}
