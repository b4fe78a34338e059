namespace Larder.Contracts.Pins;

/// <summary>The answer of <c>GET /api/v1/caches/{cache}/pins/{name}</c>: the pin and every revision, newest first.</summary>
public sealed record PinHistoryDto(PinDto Pin, IReadOnlyList<PinRevisionDto> History);
