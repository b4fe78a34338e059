using System.CommandLine;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Key;

/// <summary><c>larder key public SECRET_FILE</c>.</summary>
internal static class KeyPublicCommand
{
    public static Command Create()
    {
        var secretFile = new Argument<string>("SECRET_FILE") { Description = "A secret key file (name:base64)." };
        var command = new Command("public", "Print the public key (name:base64) of a secret key file, for trusted-public-keys.") { secretFile };
        command.SetHandler(async (parse, ct) =>
        {
            var key = await KeyFiles.ReadSecretKeyAsync(parse.GetRequiredValue(secretFile), ct).ConfigureAwait(false);
            Console.Out.WriteLine(key.PublicKey.ToString());
            return 0;
        });
        return command;
    }
}
