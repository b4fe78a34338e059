namespace Larder.Contracts.Push;

/// <summary>Names shared by the push client and server.</summary>
public static class PushProtocol
{
    /// <summary>
    /// Header of <c>PUT /api/v1/caches/{cache}/upload</c> carrying <see cref="PushPathMetadata"/> as base64url JSON
    /// (the body is the NAR, so the metadata cannot be in it).
    /// </summary>
    public const string PathInfoHeader = "X-Larder-Path-Info";

    /// <summary>Header of <c>PATCH …/uploads/{id}</c>: the byte offset the body starts at (must equal the received length).</summary>
    public const string UploadOffsetHeader = "Upload-Offset";

    /// <summary>Largest metadata the client puts in <see cref="PathInfoHeader"/>; bigger goes through an upload session.</summary>
    public const int MaxPathInfoHeaderLength = 16 * 1024;

    /// <summary>Most hash parts accepted by one <c>missing</c> request.</summary>
    public const int MaxMissingBatch = 20_000;
}
