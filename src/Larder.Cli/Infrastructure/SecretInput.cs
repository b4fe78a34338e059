namespace Larder.Cli.Infrastructure;

/// <summary>A token given on the command line or, to keep it out of shell history and <c>ps</c>, on stdin.</summary>
internal static class SecretInput
{
    /// <summary>
    /// The token from <paramref name="argument"/>, or from stdin when <paramref name="fromStdin"/>; null when neither
    /// was given. <paramref name="stdinOption"/> names the option in errors.
    /// </summary>
    public static async Task<string?> ReadAsync(string? argument, bool fromStdin, string stdinOption, CancellationToken cancellationToken)
    {
        if (!fromStdin)
        {
            return argument;
        }
        if (argument is not null)
        {
            throw new CliException($"give the token either as an argument or with {stdinOption}, not both");
        }
        var secret = (await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Trim();
        return secret.Length > 0 ? secret : throw new CliException($"{stdinOption}: no token on stdin");
    }
}
