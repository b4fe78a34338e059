using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Nix.Signing;

namespace Larder.Cli.Commands.Key;

/// <summary><c>larder key generate NAME SECRET_FILE PUBLIC_FILE [--force]</c>.</summary>
internal static class KeyGenerateCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Key name, conventionally HOST-N (e.g. cache.example.org-1); signatures carry it." };
        var secretFile = new Argument<string>("SECRET_FILE") { Description = "Where to write the secret key (mode 0600)." };
        var publicFile = new Argument<string>("PUBLIC_FILE") { Description = "Where to write the public key." };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite existing files." };
        var command = new Command("generate",
            "Generate a signing key pair in Nix's format (as nix-store --generate-binary-cache-key does) and print the public key.")
        {
            name, secretFile, publicFile, force,
        };
        command.SetHandler(async (parse, ct) =>
        {
            string keyName = parse.GetRequiredValue(name);
            string secretPath = parse.GetRequiredValue(secretFile);
            string publicPath = parse.GetRequiredValue(publicFile);
            bool overwrite = parse.GetValue(force);
            if (Path.GetFullPath(secretPath) == Path.GetFullPath(publicPath))
            {
                throw new CliException("SECRET_FILE and PUBLIC_FILE must be different files");
            }
            KeyFiles.CheckWritable(secretPath, overwrite);
            KeyFiles.CheckWritable(publicPath, overwrite);

            SecretKey key;
            try
            {
                key = SecretKey.Generate(keyName);
            }
            catch (KeyFormatException e)
            {
                throw new CliException($"invalid key name: {e.Message}", "use letters, digits, dots and dashes, e.g. cache.example.org-1");
            }
            await KeyFiles.WriteSecretAsync(secretPath, key, ct).ConfigureAwait(false);
            await KeyFiles.WritePublicAsync(publicPath, key.PublicKey, ct).ConfigureAwait(false);
            Console.Out.WriteLine(key.PublicKey.ToString());
            return 0;
        });
        return command;
    }
}
