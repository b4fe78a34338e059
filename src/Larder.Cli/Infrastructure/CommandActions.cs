using System.CommandLine;

namespace Larder.Cli.Infrastructure;

/// <summary>
/// Wraps a command's body so that every expected failure becomes one clear line on stderr and a non-zero exit.
/// Commands throw <see cref="CliException"/> (or a domain exception listed here); nothing else should reach the user
/// as a stack trace.
/// </summary>
internal static class CommandActions
{
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, cancellationToken);
            }
            catch (CliException e)
            {
                return Fail(e.Message, e.Hint, e.ExitCode);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail("interrupted", null, 130);
            }
            catch (Exception e) when (UserFacingError.TryDescribe(e, out var message, out var hint))
            {
                return Fail(message, hint, 1);
            }
        });

    private static int Fail(string message, string? hint, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        if (hint is not null)
        {
            Console.Error.WriteLine($"hint: {hint}");
        }
        return exitCode;
    }
}
