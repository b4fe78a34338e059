using Larder.Contracts.Pins;
using Larder.Nix.Store;
using Larder.Server.Errors;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Pins;

/// <summary>What a pin request may say: names, artifact paths, keep rules and the path it names.</summary>
public static class PinRules
{
    /// <summary>The longest pin name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The longest artifact path.</summary>
    public const int MaxArtifactLength = 1024;

    /// <summary>The most revisions <c>keepRevisions</c> may keep.</summary>
    public const int MaxKeepRevisions = 10_000;

    /// <summary>The most days <c>keepDays</c> may keep.</summary>
    public const int MaxKeepDays = 36_500;

    /// <summary>
    /// Checks a pin name: 1 to <see cref="MaxNameLength"/> characters, a letter or <c>_</c> and then letters, digits,
    /// <c>_</c> or <c>-</c>. So it is a Nix attribute name (<c>nix build -f URL NAME</c>), one URL segment and one file name.
    /// </summary>
    public static string ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxNameLength || !IsNameStart(name[0]) || !name.All(c => IsNameStart(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new InvalidRequestException(
                $"invalid pin name '{Shorten(name)}': use 1 to {MaxNameLength} characters, a letter or '_' first, then letters, digits, '_' or '-'");
        }
        return name;
    }

    /// <summary>
    /// Checks an artifact path: relative to the store path, <c>/</c>-separated, no empty, <c>.</c> or <c>..</c> segment,
    /// no NUL, at most <see cref="MaxArtifactLength"/> characters. Null stays null.
    /// </summary>
    public static string? ValidateArtifact(string? artifact)
    {
        if (artifact is null)
        {
            return null;
        }
        var problem = artifact.Length switch
        {
            0 => "it is empty",
            > MaxArtifactLength => $"it is longer than {MaxArtifactLength} characters",
            _ when artifact.StartsWith('/') => "it must be relative to the store path (bin/myapp), not absolute",
            _ when artifact.Contains('\0', StringComparison.Ordinal) => "it contains a NUL character",
            _ when artifact.Split('/').Any(s => s is "" or "." or "..") => "it has an empty, '.' or '..' segment: name a file inside the path",
            _ => null,
        };
        return problem is null ? artifact : throw new InvalidRequestException($"invalid artifact '{Shorten(artifact)}': {problem}");
    }

    /// <summary>The keep rule of a request: null when it sets none; 400 when it sets more than one or a value out of range.</summary>
    public static PinKeep? ToKeep(SetPinRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var given = (request.KeepRevisions is null ? 0 : 1) + (request.KeepDays is null ? 0 : 1) + (request.KeepForever is null ? 0 : 1);
        if (given > 1)
        {
            throw new InvalidRequestException("keepRevisions, keepDays and keepForever contradict each other: give at most one");
        }
        return request switch
        {
            { KeepRevisions: { } n } when n is < 1 or > MaxKeepRevisions =>
                throw new InvalidRequestException($"invalid keepRevisions {n}: it must be from 1 to {MaxKeepRevisions}"),
            { KeepDays: { } d } when d is < 1 or > MaxKeepDays =>
                throw new InvalidRequestException($"invalid keepDays {d}: it must be from 1 to {MaxKeepDays}"),
            { KeepForever: false } => throw new InvalidRequestException("keepForever can only be true; to stop keeping forever, give keepRevisions or keepDays"),
            { KeepRevisions: { } n } => new PinKeep(n, null, false),
            { KeepDays: { } d } => new PinKeep(null, d, false),
            { KeepForever: true } => new PinKeep(null, null, true),
            _ => null,
        };
    }

    /// <summary>The hash part of the path a request names (a store path of <paramref name="cache"/>'s store, or a bare hash).</summary>
    public static string HashPartOf(string storePath, CacheRecord cache)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        ArgumentNullException.ThrowIfNull(cache);
        if (StorePath.IsValidHashPart(storePath))
        {
            return storePath;
        }
        if (!StorePath.TryParse(storePath, out var parsed))
        {
            throw new InvalidRequestException($"invalid store path '{Shorten(storePath)}': expected {cache.StoreDir}/HASH-NAME or the 32-character hash");
        }
        return parsed.StoreDir == cache.StoreDir
            ? parsed.HashPart
            : throw new InvalidRequestException($"store path '{storePath}' is not in cache '{cache.Name}''s store directory {cache.StoreDir}");
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;
}
