namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task PublishServingChangeAsync(string notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return _dialect.PublishServingChangeAsync(notice, cancellationToken);
    }

    /// <inheritdoc />
    public Task ListenForServingChangesAsync(Action onListening, Action<string> onNotice, CancellationToken cancellationToken) =>
        _dialect.ListenForServingChangesAsync(onListening, onNotice, cancellationToken);
}
