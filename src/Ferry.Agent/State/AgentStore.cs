using Dapper;
using Microsoft.Data.Sqlite;

namespace Ferry.Agent.State;

/// <summary>A dataset (or container) someone asked for. State: queued, downloading, local, failed.</summary>
public sealed record RequestRow(string Did, string? Parent, string? Kind, string State, string? Status, string? Error, long RequestedAt, long UpdatedAt);

/// <summary>One file of a requested dataset; Path is relative to the agent's DIR.</summary>
public sealed record FileRow(string Dataset, string Did, long Bytes, string? Adler32, string Path, long Done)
{
    public bool IsDone => Done != 0;
}

public sealed record ListingRow(string Did, string Status, string Json, long FetchedAt);

/// <summary>
/// The agent's state in DIR/.ferry-agent/agent.db. Every change is one statement or one transaction, and WAL with
/// synchronous=NORMAL keeps committed changes across a killed process, so SIGKILL at any moment loses nothing that was
/// acknowledged: at start the agent simply carries on from these rows.
/// </summary>
public sealed class AgentStore
{
    private readonly string _connectionString;

    public AgentStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        c.Execute("PRAGMA journal_mode=WAL;");
        c.Execute("""
            CREATE TABLE IF NOT EXISTS requests(did TEXT PRIMARY KEY, parent TEXT, kind TEXT, state TEXT NOT NULL, status TEXT, error TEXT,
                requested_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS requests_parent ON requests(parent);
            CREATE TABLE IF NOT EXISTS files(dataset TEXT NOT NULL, did TEXT NOT NULL, bytes INTEGER NOT NULL, adler32 TEXT, path TEXT NOT NULL,
                done INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(dataset, did));
            CREATE TABLE IF NOT EXISTS listings(did TEXT PRIMARY KEY, status TEXT NOT NULL, json TEXT NOT NULL, fetched_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS logs(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, at INTEGER NOT NULL, line TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS logs_name ON logs(name, id);
            """);
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        c.Execute("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return c;
    }

    public RequestRow? Request(string did)
    {
        using var c = Open();
        return c.QuerySingleOrDefault<RequestRow>(RequestSelect + " WHERE did=@did", new { did });
    }

    public List<RequestRow> Requests()
    {
        using var c = Open();
        return c.Query<RequestRow>(RequestSelect + " ORDER BY requested_at, did").ToList();
    }

    public List<RequestRow> Children(string parent)
    {
        using var c = Open();
        return c.Query<RequestRow>(RequestSelect + " WHERE parent=@parent ORDER BY did", new { parent }).ToList();
    }

    private const string RequestSelect =
        "SELECT did AS Did, parent AS Parent, kind AS Kind, state AS State, status AS Status, error AS Error, requested_at AS RequestedAt, updated_at AS UpdatedAt FROM requests";

    /// <summary>Adds the request, or puts a failed one back in the queue; a running or local one is left as is (it only gains a parent).</summary>
    public void Enqueue(string did, string? parent, long now)
    {
        using var c = Open();
        c.Execute("""
            INSERT INTO requests(did, parent, state, requested_at, updated_at) VALUES(@did, @parent, 'queued', @now, @now)
            ON CONFLICT(did) DO UPDATE SET parent=COALESCE(requests.parent, excluded.parent),
                state=CASE WHEN requests.state='failed' THEN 'queued' ELSE requests.state END,
                status=CASE WHEN requests.state='failed' THEN NULL ELSE requests.status END,
                error=CASE WHEN requests.state='failed' THEN NULL ELSE requests.error END, updated_at=@now
            """, new { did, parent, now });
    }

    public void SetState(string did, string state, long now, string? kind = null, string? status = null, string? error = null)
    {
        using var c = Open();
        c.Execute("UPDATE requests SET state=@state, kind=COALESCE(@kind, kind), status=@status, error=@error, updated_at=@now WHERE did=@did",
            new { did, state, kind, status, error, now });
    }

    /// <summary>Records the dataset's files (once: a listing does not change what is already being fetched).</summary>
    public void AddFiles(string dataset, IEnumerable<FileRow> files)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        foreach (var f in files)
            c.Execute("INSERT OR IGNORE INTO files(dataset, did, bytes, adler32, path, done) VALUES(@Dataset, @Did, @Bytes, @Adler32, @Path, 0)", f, tx);
        tx.Commit();
    }

    public List<FileRow> Files(string dataset)
    {
        using var c = Open();
        return c.Query<FileRow>("SELECT dataset AS Dataset, did AS Did, bytes AS Bytes, adler32 AS Adler32, path AS Path, done AS Done FROM files WHERE dataset=@dataset ORDER BY path",
            new { dataset }).ToList();
    }

    public void MarkDone(string dataset, string did)
    {
        using var c = Open();
        c.Execute("UPDATE files SET done=1 WHERE dataset=@dataset AND did=@did", new { dataset, did });
    }

    /// <summary>Forgets a request, its files and its children's, in one transaction.</summary>
    public void Remove(IEnumerable<string> dids)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        foreach (var did in dids)
        {
            c.Execute("DELETE FROM files WHERE dataset=@did", new { did }, tx);
            c.Execute("DELETE FROM requests WHERE did=@did", new { did }, tx);
        }
        tx.Commit();
    }

    public ListingRow? Listing(string did)
    {
        using var c = Open();
        return c.QuerySingleOrDefault<ListingRow>("SELECT did AS Did, status AS Status, json AS Json, fetched_at AS FetchedAt FROM listings WHERE did=@did", new { did });
    }

    public void SaveListing(ListingRow row)
    {
        using var c = Open();
        c.Execute("INSERT INTO listings(did, status, json, fetched_at) VALUES(@Did, @Status, @Json, @FetchedAt) ON CONFLICT(did) DO UPDATE SET status=@Status, json=@Json, fetched_at=@FetchedAt", row);
    }

    public void AppendLog(string name, long at, string line, int keep)
    {
        using var c = Open();
        var id = c.ExecuteScalar<long>("INSERT INTO logs(name, at, line) VALUES(@name, @at, @line); SELECT last_insert_rowid();", new { name, at, line });
        // Trimming every hundredth line keeps each log bounded without a delete per insert.
        if (id % 100 == 0)
            c.Execute("DELETE FROM logs WHERE name=@name AND id <= (SELECT id FROM logs WHERE name=@name ORDER BY id DESC LIMIT 1 OFFSET @keep)", new { name, keep });
    }

    public List<string> LogNames()
    {
        using var c = Open();
        return c.Query<string>("SELECT DISTINCT name FROM logs ORDER BY name").ToList();
    }

    public List<(long At, string Line)> LogLines(string name, int last)
    {
        using var c = Open();
        return c.Query<(long, string)>("SELECT at, line FROM (SELECT id, at, line FROM logs WHERE name=@name ORDER BY id DESC LIMIT @last) ORDER BY id", new { name, last }).ToList();
    }
}
