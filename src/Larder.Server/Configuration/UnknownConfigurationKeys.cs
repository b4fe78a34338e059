using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Larder.Server.Configuration;

/// <summary>
/// Finds keys under the <c>Larder</c> section that no option reads (a typo such as <c>Larder:MaxUplodBytes</c> is
/// otherwise silently ignored) and names the closest known key. The known keys are read off <see cref="LarderOptions"/>,
/// so a new option is known the moment it exists.
/// </summary>
public static class UnknownConfigurationKeys
{
    /// <summary>Keys that configure start-up itself rather than <see cref="LarderOptions"/>.</summary>
    private static readonly string[] StartUpKeys = ["Larder:ConfigFile"];

    private static readonly Lazy<KnownKeys> Known = new(() => KnownKeys.Of(typeof(LarderOptions), LarderOptions.Section));

    /// <summary>One warning per unknown key under <c>Larder</c>, in key order.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var warnings = new List<string>();
        foreach (var (key, value) in configuration.GetSection(LarderOptions.Section).AsEnumerable().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // Sections have no value of their own; their leaves are checked.
            if (value is null || Known.Value.Accepts(key) || StartUpKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            var closest = Known.Value.Closest(key);
            warnings.Add(closest is null
                ? $"unknown configuration key '{key}' is ignored"
                : $"unknown configuration key '{key}' is ignored (did you mean '{closest}'?)");
        }
        return warnings;
    }

    /// <summary>Leaf keys, sections, and the prefixes under which any child is accepted (lists and dictionaries).</summary>
    private sealed class KnownKeys
    {
        private readonly HashSet<string> _leaves = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _sections = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _openPrefixes = [];

        public static KnownKeys Of(Type type, string prefix)
        {
            var known = new KnownKeys();
            known.Add(type, prefix);
            return known;
        }

        public bool Accepts(string key) =>
            _leaves.Contains(key)
            || _sections.Contains(key)
            || _openPrefixes.Exists(p => key.StartsWith(p + ":", StringComparison.OrdinalIgnoreCase) || key.Equals(p, StringComparison.OrdinalIgnoreCase));

        public string? Closest(string key)
        {
            var best = _leaves.Concat(_openPrefixes)
                .Select(candidate => (Candidate: candidate, Distance: Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant())))
                .MinBy(c => c.Distance);
            return best.Candidate is not null && best.Distance <= Math.Max(2, key.Length / 4) ? best.Candidate : null;
        }

        // The options types are walked by reflection, nested ones found through their properties' types, which the
        // trimmer cannot follow: the AOT build keeps this assembly whole (TrimmerRootAssembly in Larder.Cli.csproj).
        [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Larder.Server is a TrimmerRootAssembly of the AOT build")]
        private void Add(Type type, string prefix)
        {
            _sections.Add(prefix);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetSetMethod() is null && !IsCollection(property.PropertyType))
                {
                    continue;
                }
                var key = $"{prefix}:{property.Name}";
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (IsCollection(propertyType))
                {
                    _openPrefixes.Add(key);
                }
                else if (propertyType.IsClass && propertyType != typeof(string) && propertyType.Namespace?.StartsWith("Larder", StringComparison.Ordinal) == true)
                {
                    Add(propertyType, key);
                }
                else
                {
                    _leaves.Add(key);
                }
            }
        }

        private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

        /// <summary>Levenshtein distance.</summary>
        private static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }
            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
                }
                (previous, current) = (current, previous);
            }
            return previous[b.Length];
        }
    }
}
