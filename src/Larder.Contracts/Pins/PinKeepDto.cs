namespace Larder.Contracts.Pins;

/// <summary>
/// How long a pin's older revisions keep their closures: the newest <paramref name="Revisions"/>, those replaced less
/// than <paramref name="Days"/> days ago, or all with <paramref name="Forever"/> (the current revision always).
/// </summary>
public sealed record PinKeepDto(int? Revisions, int? Days, bool Forever);
