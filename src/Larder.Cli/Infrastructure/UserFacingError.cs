namespace Larder.Cli.Infrastructure;

/// <summary>Turns known exception types from the libraries into one-line messages with a hint.</summary>
internal static class UserFacingError
{
    public static bool TryDescribe(Exception exception, out string message, out string? hint)
    {
        switch (exception)
        {
            case FileNotFoundException e:
                message = $"no such file: {e.FileName ?? e.Message}";
                hint = null;
                return true;
            case DirectoryNotFoundException e:
                message = e.Message;
                hint = null;
                return true;
            case UnauthorizedAccessException e:
                message = e.Message;
                hint = "check the file's permissions";
                return true;
            case IOException e:
                message = e.Message;
                hint = null;
                return true;
            default:
                message = "";
                hint = null;
                return false;
        }
    }
}
