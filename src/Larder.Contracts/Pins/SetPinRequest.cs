namespace Larder.Contracts.Pins;

/// <summary>
/// The body of <c>PUT /api/v1/caches/{cache}/pins/{name}</c>: a new revision naming <see cref="StorePath"/> (a store
/// path or its 32-character hash; with <see cref="Artifact"/>, a file inside it), or rolling back to
/// <see cref="Revision"/>. At most one keep option; none keeps the pin's rule (a new pin keeps only its current revision).
/// </summary>
public sealed record SetPinRequest(
    string? StorePath = null,
    string? Artifact = null,
    int? Revision = null,
    int? KeepRevisions = null,
    int? KeepDays = null,
    bool? KeepForever = null);
