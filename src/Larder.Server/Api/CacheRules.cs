using System.Text.RegularExpressions;
using Larder.Server.Errors;

namespace Larder.Server.Api;

/// <summary>Validation of cache settings; each failure is a 400 naming the problem.</summary>
public static partial class CacheRules
{
    /// <summary>The default substituter priority (cache.nixos.org uses 40 too).</summary>
    public const int DefaultPriority = 40;

    /// <summary>The default Nix store directory.</summary>
    public const string DefaultStoreDir = "/nix/store";

    /// <summary>Names that would collide with server routes.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "api", "health", "metrics", "static", "assets", "ui" };

    /// <summary>Whether <paramref name="name"/> may name a cache.</summary>
    public static bool IsValidName(string? name) => name is not null && NameRegex().IsMatch(name) && !Reserved.Contains(name);

    public static string ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw BadRequest("a cache name is required");
        }
        if (Reserved.Contains(name))
        {
            throw BadRequest($"invalid cache name '{name}': it is reserved");
        }
        if (!NameRegex().IsMatch(name))
        {
            throw BadRequest(
                $"invalid cache name '{name}': use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    public static int ValidatePriority(int priority) =>
        priority is >= 0 and <= 10_000 ? priority : throw BadRequest($"invalid priority {priority}: it must be between 0 and 10000");

    public static string ValidateStoreDir(string storeDir)
    {
        if (storeDir.Length is 0 or > 200 || storeDir[0] != '/' || storeDir.EndsWith('/') || !StoreDirRegex().IsMatch(storeDir)
            || storeDir.Split('/').Skip(1).Any(s => s is "" or "." or ".."))
        {
            throw BadRequest($"invalid store directory '{storeDir}': it must be an absolute path without a trailing slash, '.' or '..'");
        }
        return storeDir;
    }

    public static IReadOnlyList<string> ValidateUpstreamKeyNames(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (name is not null && name.Contains(':', StringComparison.Ordinal))
            {
                throw BadRequest($"invalid upstream key name '{name}': give only the name before ':', not the whole public key");
            }
            if (name is null || !KeyNameRegex().IsMatch(name))
            {
                throw BadRequest($"invalid upstream key name '{name}': expected a key name such as 'cache.nixos.org-1'");
            }
        }
        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    private static InvalidRequestException BadRequest(string message) => new(message);

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[A-Za-z0-9/._+-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex StoreDirRegex();

    [GeneratedRegex(@"^[A-Za-z0-9._+-][A-Za-z0-9._+-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyNameRegex();
}
