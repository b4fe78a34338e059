namespace Larder.Cli.Infrastructure;

/// <summary>Turns known exception types from the libraries into one-line messages with a hint.</summary>
internal static class UserFacingError
{
    public static bool TryDescribe(Exception exception, out string message, out string? hint)
    {
        switch (exception)
        {
            case Larder.Server.Configuration.LarderConfigurationException e:
                message = e.Message;
                hint = "check the configuration (--config, DATA/larder.json, --Larder:Key=value, Larder__Key variables)";
                return true;
            case Larder.Server.Metadata.MetadataUnavailableException e:
                message = $"the metadata database is unavailable: {e.Message}";
                hint = "check Larder:Database:ConnectionString and that the database server is running";
                return true;
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
