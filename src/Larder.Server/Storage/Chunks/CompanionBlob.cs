namespace Larder.Server.Storage.Chunks;

/// <summary>
/// A small blob stored together with the last pack of an ingest (a NAR's listing): its intent is recorded in the same
/// transaction as the pack's, and both are put at the same time, which saves a NAR of one chunk a transaction.
/// </summary>
/// <param name="Key">Its fresh key.</param>
/// <param name="Bytes">Its content, already in memory.</param>
public sealed record CompanionBlob(string Key, ReadOnlyMemory<byte> Bytes);
