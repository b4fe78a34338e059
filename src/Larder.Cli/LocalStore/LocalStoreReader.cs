using System.Text.Json;
using System.Text.Json.Serialization;
using Larder.Cli.Infrastructure;
using Larder.Nix.Hashing;

namespace Larder.Cli.LocalStore;

/// <summary>
/// Reads path metadata from the local Nix store: from Nix's own database (read-only, a few queries for any closure
/// size) when the store is local, otherwise (or when the database cannot be read, or <c>LARDER_LOCAL_STORE=nix</c>)
/// with one <c>nix path-info --json</c> call per query. Never one process per path.
/// </summary>
public sealed class LocalStoreReader(string nixExe = "nix", string nixStoreExe = "nix-store", NixStoreDatabase? database = null)
{
    // `nix path-info` is behind the nix-command feature on Nix < 2.24 unless the user enabled it.
    private static readonly string[] NixCommandArgs = ["--extra-experimental-features", "nix-command"];

    /// <summary>
    /// Metadata of <paramref name="storePaths"/> and, when <paramref name="closure"/>, everything they reference
    /// transitively. Every path must be valid; an invalid one is an error naming it.
    /// </summary>
    public async Task<IReadOnlyList<LocalPathInfo>> QueryAsync(
        IReadOnlyCollection<string> storePaths, bool closure, CancellationToken cancellationToken)
    {
        if (storePaths.Count == 0)
        {
            return [];
        }
        if (UsableDatabase() is { } db)
        {
            try
            {
                var (infos, invalid) = await db.QueryAsync(storePaths, closure, cancellationToken).ConfigureAwait(false);
                return invalid.Count == 0 ? infos : throw NotValid(invalid);
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // Unreadable here (permissions, an older schema): nix path-info knows how to ask.
            }
        }
        return await QueryWithNixAsync(storePaths, closure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Like <see cref="QueryAsync"/>, always through <c>nix path-info --json</c>.</summary>
    public async Task<IReadOnlyList<LocalPathInfo>> QueryWithNixAsync(
        IReadOnlyCollection<string> storePaths, bool closure, CancellationToken cancellationToken)
    {
        var args = new List<string>(NixCommandArgs) { "path-info", "--json" };
        if (closure)
        {
            args.Add("-r");
        }
        args.AddRange(storePaths);
        var (exitCode, stdout, stderr) = await ProcessOutput.TryRunAsync(nixExe, args, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            // -r fails on the first invalid path with a vague message; ask again without it to name the culprits.
            if (closure)
            {
                await QueryWithNixAsync(storePaths, closure: false, cancellationToken).ConfigureAwait(false);
            }
            throw new CliException($"nix path-info failed: {stderr.Trim()}");
        }
        var entries = JsonSerializer.Deserialize(stdout, PathInfoJsonContext.Default.ListPathInfoJson)
            ?? throw new CliException("nix path-info printed no JSON");
        var invalid = entries.Where(e => e.Valid == false || e.NarHash is null).Select(e => e.Path).ToList();
        if (invalid.Count > 0)
        {
            throw NotValid(invalid);
        }
        return entries.Select(ToInfo).ToList();
    }

    private static CliException NotValid(IReadOnlyList<string> invalid) => new(
        $"not a valid path in the local Nix store: {string.Join(", ", invalid)}",
        "build or substitute it first (e.g. nix-build, nix-store --realise)");

    /// <summary>Nix's database, when the store is the local one and it can be read directly.</summary>
    private NixStoreDatabase? UsableDatabase()
    {
        if (Environment.GetEnvironmentVariable("LARDER_LOCAL_STORE") == "nix")
        {
            return null;
        }
        if (database is not null)
        {
            return database;
        }
        var remote = Environment.GetEnvironmentVariable("NIX_REMOTE");
        var localStore = string.IsNullOrEmpty(remote) || remote is "daemon" or "local" or "auto";
        var defaultStoreDir = StorePaths.StoreDir == "/nix/store";
        var db = NixStoreDatabase.Default();
        return localStore && defaultStoreDir && db.Exists ? db : null;
    }

    /// <summary>
    /// The build-time closure of <paramref name="derivations"/> with the outputs that exist locally
    /// (<c>nix-store -qR --include-outputs</c>), i.e. every path needed to rebuild them.
    /// </summary>
    public async Task<IReadOnlyList<string>> QueryBuildClosureAsync(IReadOnlyCollection<string> derivations, CancellationToken cancellationToken)
    {
        if (derivations.Count == 0)
        {
            return [];
        }
        var stdout = await ProcessOutput.RunAsync(nixStoreExe, ["-qR", "--include-outputs", .. derivations], cancellationToken)
            .ConfigureAwait(false);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Which of <paramref name="storePaths"/> are valid in the local store (others are silently dropped).</summary>
    public async Task<IReadOnlyList<string>> FilterValidAsync(IReadOnlyCollection<string> storePaths, CancellationToken cancellationToken)
    {
        if (storePaths.Count == 0)
        {
            return [];
        }
        var stdout = await ProcessOutput.RunAsync(nixExe, [.. NixCommandArgs, "path-info", "--json", .. storePaths], cancellationToken).ConfigureAwait(false);
        var entries = JsonSerializer.Deserialize(stdout, PathInfoJsonContext.Default.ListPathInfoJson) ?? [];
        return entries.Where(e => e.Valid != false && e.NarHash is not null).Select(e => e.Path).ToList();
    }

    private static LocalPathInfo ToInfo(PathInfoJson e)
    {
        if (!NixHash.TryParse(e.NarHash, out var narHash))
        {
            throw new CliException($"nix path-info printed an unreadable narHash '{e.NarHash}' for {e.Path}");
        }
        return new LocalPathInfo(
            e.Path,
            narHash.ToNix32String(),
            e.NarSize,
            e.References ?? [],
            string.IsNullOrEmpty(e.Deriver) ? null : e.Deriver,
            e.Signatures ?? [],
            string.IsNullOrEmpty(e.Ca) ? null : e.Ca);
    }
}

/// <summary>One element of <c>nix path-info --json</c>'s array (Nix 2.8 layout).</summary>
internal sealed record PathInfoJson(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("valid")] bool? Valid,
    [property: JsonPropertyName("narHash")] string? NarHash,
    [property: JsonPropertyName("narSize")] long NarSize,
    [property: JsonPropertyName("references")] List<string>? References,
    [property: JsonPropertyName("deriver")] string? Deriver,
    [property: JsonPropertyName("signatures")] List<string>? Signatures,
    [property: JsonPropertyName("ca")] string? Ca);

[JsonSerializable(typeof(List<PathInfoJson>))]
internal sealed partial class PathInfoJsonContext : JsonSerializerContext;
