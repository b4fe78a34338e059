namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <summary>Called with the duration of every store operation (one transaction, retries included), for metrics.</summary>
    public Action<TimeSpan>? OperationTimed { get; set; }

    /// <inheritdoc />
    public Task PingAsync(CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await session.ScalarAsync("SELECT 1;", ct).ConfigureAwait(false);
        return true;
    }, cancellationToken, idempotent: false);
}
