namespace Larder.Cli.Infrastructure;

/// <summary>
/// A failure the user can act on: printed as <c>error: Message</c> (and <c>hint: Hint</c>), exit code
/// <see cref="ExitCode"/>, no stack trace.
/// </summary>
public sealed class CliException(string message, string? hint = null, int exitCode = 1, Exception? inner = null)
    : Exception(message, inner)
{
    public string? Hint { get; } = hint;
    public int ExitCode { get; } = exitCode;
}
