namespace Larder.Server.Errors;

/// <summary>
/// A service the server depends on cannot be reached (HTTP 503). The client learns only which one and to retry; the
/// details (host, port, bucket, the underlying error) go to the log.
/// </summary>
/// <param name="service">What is unavailable, for the client: <c>the metadata database</c>, <c>the object store</c>.</param>
public sealed class UnavailableException(string service, Exception inner)
    : LarderException(ErrorKind.Unavailable, $"{service} is unavailable: {inner?.Message}", inner)
{
    /// <summary>What is unavailable, as the client is told.</summary>
    public string Service { get; } = service;

    public override string ClientMessage => $"{Service} is unavailable; retry later";
}

/// <summary>
/// Data the metadata promises is missing from storage (HTTP 500). The client learns what is missing and that the
/// operator should verify the store; the blob key goes to the log.
/// </summary>
/// <param name="missing">What is missing, for the client: <c>the NAR's data</c>, <c>the build log</c>.</param>
public sealed class StoredDataMissingException(string missing, Exception inner)
    : LarderException(ErrorKind.StorageFault, $"{missing} is missing: {inner?.Message}", inner)
{
    /// <summary>What is missing, as the client is told.</summary>
    public string Missing { get; } = missing;

    public override string ClientMessage => $"storage error: {Missing} is missing; the operator should run `larder admin verify`";
}
