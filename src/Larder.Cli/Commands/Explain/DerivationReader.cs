using System.Text.Json;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Reads derivations and their whole build-time graph with one <c>nix show-derivation -r</c> call (falling back to
/// <c>nix derivation show -r</c> on a Nix that dropped the old name), never one process per derivation.
/// </summary>
internal sealed class DerivationReader(string nixExe = "nix")
{
    private static readonly string[] NixCommandArgs = ["--extra-experimental-features", "nix-command"];

    /// <summary>Every derivation of <paramref name="drvPaths"/> and, when <paramref name="recursive"/>, of their inputs, by path.</summary>
    public async Task<IReadOnlyDictionary<string, Derivation>> ReadAsync(
        IReadOnlyCollection<string> drvPaths, bool recursive, CancellationToken cancellationToken)
    {
        if (drvPaths.Count == 0)
        {
            return new Dictionary<string, Derivation>(StringComparer.Ordinal);
        }
        var flags = recursive ? new[] { "--recursive" } : [];
        var (exitCode, stdout, stderr) = await ProcessOutput.TryRunAsync(
            nixExe, [.. NixCommandArgs, "show-derivation", .. flags, .. drvPaths], cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            (exitCode, stdout, var newerStderr) = await ProcessOutput.TryRunAsync(
                nixExe, [.. NixCommandArgs, "derivation", "show", .. flags, .. drvPaths], cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new CliException($"nix show-derivation failed: {stderr.Trim()} {newerStderr.Trim()}".Trim());
            }
        }
        return Parse(stdout, StorePaths.StoreDir);
    }

    /// <summary>
    /// Parses the JSON of <c>nix show-derivation</c>/<c>nix derivation show</c>: an object from derivation path to its
    /// fields. Newer Nix versions name paths by base name; they are made full with <paramref name="storeDir"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, Derivation> Parse(string json, string storeDir)
    {
        using var document = JsonDocument.Parse(json);
        var result = new Dictionary<string, Derivation>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            var drv = entry.Value;
            var path = Full(entry.Name, storeDir);
            var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var output in drv.GetProperty("outputs").EnumerateObject())
            {
                if (output.Value.TryGetProperty("path", out var outputPath) && outputPath.GetString() is { } p)
                {
                    outputs[output.Name] = Full(p, storeDir);
                }
            }
            var inputDrvs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var input in drv.GetProperty("inputDrvs").EnumerateObject())
            {
                // Older Nix: a list of output names; newer: {"outputs": [...], "dynamicOutputs": {...}}.
                var names = input.Value.ValueKind == JsonValueKind.Array ? input.Value : input.Value.GetProperty("outputs");
                inputDrvs[Full(input.Name, storeDir)] = [.. names.EnumerateArray().Select(n => n.GetString()!)];
            }
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var variable in drv.GetProperty("env").EnumerateObject())
            {
                env[variable.Name] = variable.Value.GetString() ?? "";
            }
            result[path] = new Derivation(
                path,
                outputs,
                inputDrvs,
                [.. drv.GetProperty("inputSrcs").EnumerateArray().Select(s => Full(s.GetString()!, storeDir))],
                drv.GetProperty("builder").GetString() ?? "",
                [.. drv.GetProperty("args").EnumerateArray().Select(a => a.GetString() ?? "")],
                env);
        }
        return result;
    }

    private static string Full(string path, string storeDir) => path.StartsWith('/') ? path : $"{storeDir}/{path}";
}
