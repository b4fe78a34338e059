using System.Text.RegularExpressions;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Names how two derivations of the same name differ: input derivations and sources (matched by name), builder,
/// arguments and environment. Store path hashes are masked before comparing text, so a changed input shows up once,
/// as that input, rather than again in every string that embeds its path.
/// </summary>
internal static partial class DerivationDiff
{
    private const int ShownValueLength = 40;

    /// <summary>The differences of <paramref name="local"/> from <paramref name="pushed"/>, input derivations first.</summary>
    public static IReadOnlyList<string> Describe(Derivation local, Derivation pushed)
    {
        var differences = new List<string>();
        CompareByName("input", local.InputDrvs.Keys, pushed.InputDrvs.Keys, differences);
        CompareByName("input source", local.InputSrcs, pushed.InputSrcs, differences);
        if (Mask(local.Builder) != Mask(pushed.Builder))
        {
            differences.Add($"builder ({Show(local.Builder)} here, {Show(pushed.Builder)} pushed)");
        }
        if (!local.Args.Select(Mask).SequenceEqual(pushed.Args.Select(Mask)))
        {
            differences.Add("builder arguments");
        }
        foreach (var key in local.Env.Keys.Union(pushed.Env.Keys).Order(StringComparer.Ordinal))
        {
            var here = local.Env.GetValueOrDefault(key);
            var there = pushed.Env.GetValueOrDefault(key);
            if (here is null || there is null || Mask(here) != Mask(there))
            {
                differences.Add($"environment variable {key} ({Show(here)} here, {Show(there)} pushed)");
            }
        }
        return differences;
    }

    private static void CompareByName(string what, IEnumerable<string> local, IEnumerable<string> pushed, List<string> differences)
    {
        var pushedByName = pushed.GroupBy(NameOf).ToDictionary(g => g.Key, g => g.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var localNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in local.Order(StringComparer.Ordinal))
        {
            var name = NameOf(path);
            localNames.Add(name);
            if (!pushedByName.TryGetValue(name, out var candidates))
            {
                differences.Add($"{what} {name} (new: {path})");
            }
            else if (!candidates.Contains(path))
            {
                differences.Add($"{what} {name} ({path} here, {candidates.Order(StringComparer.Ordinal).First()} pushed)");
            }
        }
        foreach (var name in pushedByName.Keys.Where(n => !localNames.Contains(n)).Order(StringComparer.Ordinal))
        {
            differences.Add($"{what} {name} (only in the pushed derivation)");
        }
    }

    /// <summary>The name of a store path (after <c>hash-</c>).</summary>
    private static string NameOf(string storePath)
    {
        var baseName = storePath[(storePath.LastIndexOf('/') + 1)..];
        return baseName.Length > 33 ? baseName[33..] : baseName;
    }

    private static string Mask(string text) => StoreHash().Replace(text, "/<hash>-");

    private static string Show(string? value) => value is null
        ? "unset"
        : value.Length <= ShownValueLength ? $"'{value}'" : $"'{value[..ShownValueLength]}…'";

    [GeneratedRegex("/[0-9a-df-np-sv-z]{32}-", RegexOptions.CultureInvariant)]
    private static partial Regex StoreHash();
}
