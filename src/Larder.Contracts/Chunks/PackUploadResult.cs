namespace Larder.Contracts.Chunks;

/// <summary>Answer to <c>POST /api/v1/caches/{cache}/chunks/packs</c>.</summary>
/// <param name="Received">Distinct chunks in the request, each verified against its hash.</param>
/// <param name="Stored">Of those, the chunks stored now (the others the server held already).</param>
public sealed record PackUploadResult(int Received, int Stored);
