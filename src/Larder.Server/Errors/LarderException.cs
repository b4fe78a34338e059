namespace Larder.Server.Errors;

/// <summary>
/// The base of Larder's domain errors (<see cref="InvalidRequestException"/>, <see cref="NotFoundException"/>,
/// <see cref="UnavailableException"/>, …), thrown by ingest, publishing, storage and the endpoints, and turned into an
/// HTTP response in one place (<see cref="ErrorMapping"/>). The <see cref="Exception.Message"/> of a client error names
/// the problem for the client; a server fault's message may name internals (hosts, blob keys) and is only logged: the
/// client is told <see cref="ClientMessage"/>.
/// </summary>
public class LarderException(ErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The kind of failure, which decides the HTTP status.</summary>
    public ErrorKind Kind { get; } = kind;

    /// <summary>Whether the server, not the request, is at fault (its message is for the operator's log).</summary>
    public bool IsServerFault => Kind is ErrorKind.Unavailable or ErrorKind.StorageFault;

    /// <summary>What the client is told: the message itself for client errors, a text free of internals for server faults.</summary>
    public virtual string ClientMessage => IsServerFault ? "the server's storage is failing; retry later, and tell the operator if it persists" : Message;
}

/// <summary>The kinds of domain failure; <see cref="ErrorMapping"/> gives each its HTTP status.</summary>
public enum ErrorKind
{
    /// <summary>The request is malformed or breaks a rule; it names the problem.</summary>
    BadRequest,
    /// <summary>No valid token was sent, and one is needed.</summary>
    Unauthorized,
    /// <summary>The token may not do this.</summary>
    Forbidden,
    /// <summary>The thing asked for does not exist (or the caller may not learn that it does).</summary>
    NotFound,
    /// <summary>The request contradicts the current state (a taken name, a different NAR for a present path).</summary>
    Conflict,
    /// <summary>The body is larger than the limit for this request.</summary>
    PayloadTooLarge,
    /// <summary>The body's encoding or compression is not accepted here.</summary>
    UnsupportedMediaType,
    /// <summary>The client failed authentication too often; it may retry later.</summary>
    TooManyRequests,
    /// <summary>A service the server depends on (database, object store) cannot be reached; retrying may work.</summary>
    Unavailable,
    /// <summary>Stored data the metadata promises is missing or broken; an operator must look.</summary>
    StorageFault,
}
