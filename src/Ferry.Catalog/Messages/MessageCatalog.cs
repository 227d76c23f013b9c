using System.Text.Json;
using Dapper;
using Ferry.Catalog.Db;

namespace Ferry.Catalog.Messages;

public sealed record Message(long Id, string EventType, JsonElement Payload, DateTimeOffset CreatedAt);

/// <summary>
/// Events the catalogue emits in the same transaction as the change they report (rule notifications), kept in order
/// for whatever forwards them (a broker bridge, a mail hook, a script polling <c>since</c>).
/// </summary>
public sealed class MessageCatalog(ICatalogDatabase db)
{
    public Task<IReadOnlyList<Message>> ListAsync(long since, int limit) => db.ReadAsync<IReadOnlyList<Message>>(async c =>
        (await c.QueryAsync<(long Id, string EventType, string Payload, DateTimeOffset CreatedAt)>(
            "SELECT id, event_type, payload, created_at FROM messages WHERE id>@since ORDER BY id LIMIT @limit", new { since, limit }))
        .Select(m => new Message(m.Id, m.EventType, JsonDocument.Parse(m.Payload).RootElement.Clone(), m.CreatedAt)).ToList());
}
