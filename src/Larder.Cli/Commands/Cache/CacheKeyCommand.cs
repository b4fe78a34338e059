using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts;
using Larder.Contracts.Caches;

namespace Larder.Cli.Commands.Cache;

/// <summary>
/// <c>larder cache key CACHE (--import SECRET_FILE | --rotate) [--json]</c>: replaces the cache's signing key (the
/// server re-signs every path) and prints the new <c>trusted-public-keys</c> line.
/// </summary>
internal static class CacheKeyCommand
{
    public static Command Create()
    {
        var cache = CacheCommand.CacheArgument();
        var import = new Option<FileInfo?>("--import")
        {
            Description = "Secret key file (from nix-store --generate-binary-cache-key or larder key generate) to sign the cache with.",
        };
        var rotate = new Option<bool>("--rotate") { Description = "Generate the cache's next key (NAME-<n+1>)." };
        var json = CacheCommand.JsonOption();
        var command = new Command("key", """
            Replace a cache's signing key (needs admin on the cache) with an imported secret key or a newly generated
            one. The server re-signs every path of the cache with it; clients must then trust the printed public key.

            Examples:
              larder cache key main --import ./main.secret
              larder cache key main --rotate
            """)
        {
            cache, import, rotate, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var file = parse.GetValue(import);
            var doRotate = parse.GetValue(rotate);
            if ((file is null) == !doRotate)
            {
                throw new CliException("give exactly one of --import SECRET_FILE or --rotate");
            }
            var request = file is null ? new SigningKeyRequest(Generate: true) : new SigningKeyRequest(await ReadKeyAsync(file, ct).ConfigureAwait(false));
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var result = await client.ReplaceSigningKeyAsync(target.Cache, request, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(result, LarderJsonContext.Default.SigningKeyDto);
                return 0;
            }
            Console.Error.WriteLine($"cache '{target.Cache}' now signs with a new key; {result.ResignedPaths} paths re-signed. Clients need:");
            Console.Out.WriteLine($"extra-trusted-public-keys = {result.PublicKey}");
            return 0;
        });
        return command;
    }

    private static async Task<string> ReadKeyAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--import: cannot read {file.FullName}: {e.Message}");
        }
    }
}
