using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Nix.Signing;

namespace Larder.Cli.Commands.Explain;

/// <summary>The parts of the user's effective Nix configuration that decide substitution.</summary>
/// <param name="Substituters">The <c>substituters</c> (with <c>extra-substituters</c> merged), in order, without query strings.</param>
/// <param name="TrustedPublicKeys">The parsable keys of <c>trusted-public-keys</c>.</param>
/// <param name="RequireSigs">Whether substituted paths need a trusted signature.</param>
internal sealed record NixSettings(IReadOnlyList<string> Substituters, IReadOnlyList<PublicKey> TrustedPublicKeys, bool RequireSigs)
{
    private static readonly string[] NixCommandArgs = ["--extra-experimental-features", "nix-command"];

    /// <summary>Reads <c>nix show-config</c> (or <c>nix config show</c> on a Nix that dropped the old name).</summary>
    public static async Task<NixSettings> ReadAsync(string nixExe, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await ProcessOutput.TryRunAsync(nixExe, [.. NixCommandArgs, "show-config"], cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            (exitCode, stdout, var newerStderr) = await ProcessOutput.TryRunAsync(nixExe, [.. NixCommandArgs, "config", "show"], cancellationToken)
                .ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new CliException($"could not read the Nix configuration (nix show-config): {stderr.Trim()} {newerStderr.Trim()}".Trim());
            }
        }
        return Parse(stdout);
    }

    /// <summary>Parses the <c>name = value</c> lines of <c>nix show-config</c>.</summary>
    public static NixSettings Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals].Trim()] = line[(equals + 3)..].Trim();
            }
            else if (line.TrimEnd().EndsWith(" =", StringComparison.Ordinal))
            {
                values[line.TrimEnd()[..^2].Trim()] = "";
            }
        }
        var substituters = Words(values.GetValueOrDefault("substituters")).Select(WithoutQuery).ToList();
        var keys = new List<PublicKey>();
        foreach (var word in Words(values.GetValueOrDefault("trusted-public-keys")))
        {
            try
            {
                keys.Add(PublicKey.Parse(word));
            }
            catch (KeyFormatException)
            {
                // Nix ignores a malformed key too; it simply trusts nothing by it.
            }
        }
        return new NixSettings(substituters, keys, values.GetValueOrDefault("require-sigs") != "false");
    }

    /// <summary>A substituter URL without its query (<c>?priority=…</c>) or trailing slash, for comparison.</summary>
    public static string WithoutQuery(string url)
    {
        var query = url.IndexOf('?', StringComparison.Ordinal);
        return (query >= 0 ? url[..query] : url).TrimEnd('/');
    }

    private static string[] Words(string? value) => (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
