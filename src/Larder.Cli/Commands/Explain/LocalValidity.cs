using Larder.Cli.LocalStore;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Which store paths are valid in the local store, with <c>nix-store --check-validity --print-invalid</c>: one process
/// per <see cref="BatchSize"/> paths (a command line has a length limit), and much faster than <c>nix path-info</c>.
/// </summary>
internal static class LocalValidity
{
    private const int BatchSize = 5_000;

    /// <summary>The valid ones of <paramref name="storePaths"/>.</summary>
    public static async Task<HashSet<string>> FilterValidAsync(IReadOnlyCollection<string> storePaths, CancellationToken cancellationToken)
    {
        var valid = new HashSet<string>(storePaths, StringComparer.Ordinal);
        foreach (var batch in storePaths.Chunk(BatchSize))
        {
            var invalid = await ProcessOutput.RunAsync("nix-store", ["--check-validity", "--print-invalid", .. batch], cancellationToken)
                .ConfigureAwait(false);
            valid.ExceptWith(invalid.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return valid;
    }
}
