using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// What an explain argument stands for: derivations whose outputs are wanted, and store paths wanted for themselves.
/// A <c>.drv</c> wants all its outputs; an output path wants itself, built by its deriver when the local store knows
/// it; a <c>.nix</c> file, a folder (its <c>default.nix</c>) or, with <c>--expr</c>, an expression is instantiated with
/// <c>nix-instantiate</c> (<c>-A</c> picks attributes).
/// </summary>
/// <param name="Derivations">Derivations whose graph is walked.</param>
/// <param name="Paths">The store paths to explain; when empty, every output of <paramref name="Derivations"/>.</param>
internal sealed record ExplainTargets(IReadOnlyList<string> Derivations, IReadOnlyList<string> Paths)
{
    /// <summary>Resolves <paramref name="argument"/> (an expression when <paramref name="isExpression"/>).</summary>
    public static async Task<ExplainTargets> ResolveAsync(
        string argument, bool isExpression, IReadOnlyList<string> attributes, CancellationToken cancellationToken)
    {
        var storeDir = StorePaths.StoreDir;
        if (isExpression)
        {
            return new(await InstantiateAsync(["--expr", argument], attributes, cancellationToken).ConfigureAwait(false), []);
        }
        if (attributes.Count == 0 && (argument.StartsWith(storeDir + "/", StringComparison.Ordinal) || IsSymlinkIntoStore(argument)))
        {
            var storePath = StorePaths.Resolve(argument);
            if (storePath.EndsWith(".drv", StringComparison.Ordinal))
            {
                return new([storePath], []);
            }
            var deriver = (await ProcessOutput.TryRunAsync("nix-store", ["--query", "--deriver", storePath], cancellationToken).ConfigureAwait(false))
                .Stdout.Trim();
            return new(File.Exists(deriver) ? [deriver] : [], [storePath]);
        }
        if (File.Exists(argument) || Directory.Exists(argument))
        {
            return new(await InstantiateAsync([argument], attributes, cancellationToken).ConfigureAwait(false), []);
        }
        throw new CliException(
            $"'{argument}' is neither a store path, a .drv, nor a .nix file or folder",
            "give a store path, a .drv, a .nix file, or an expression with --expr");
    }

    private static bool IsSymlinkIntoStore(string argument) =>
        new FileInfo(argument).LinkTarget is { } target && target.StartsWith(StorePaths.StoreDir + "/", StringComparison.Ordinal);

    private static async Task<IReadOnlyList<string>> InstantiateAsync(
        IReadOnlyList<string> what, IReadOnlyList<string> attributes, CancellationToken cancellationToken)
    {
        var args = new List<string>(what);
        foreach (var attribute in attributes)
        {
            args.Add("-A");
            args.Add(attribute);
        }
        var (exitCode, stdout, stderr) = await ProcessOutput.TryRunAsync("nix-instantiate", args, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new CliException($"nix-instantiate failed: {stderr.Trim()}");
        }
        var drvs = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('!')[0]).Distinct(StringComparer.Ordinal).ToList();
        return drvs.Count > 0 ? drvs : throw new CliException("nix-instantiate produced no derivation");
    }
}
