using System.CommandLine;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Artifact;

/// <summary>
/// How artifact commands reach their cache: <c>--server URL</c> (no config file needed, as inside a Nix build) or the
/// configured servers, with the token from <c>--token-file</c> or <c>LARDER_TOKEN_FILE</c> (read at run time, so it
/// never enters a derivation), else <c>LARDER_TOKEN</c> or the config.
/// </summary>
internal sealed class ArtifactConnection
{
    /// <summary>The environment variable naming the token file.</summary>
    public const string TokenFileVariable = "LARDER_TOKEN_FILE";

    /// <summary>Transient retries: few, so that a build whose server is down falls back to a cold build quickly.</summary>
    private const int MaxRetries = 2;

    public Option<string?> Server { get; } = new("--server")
    {
        Description = "The server's URL (default: LARDER_SERVER, or the configured default server).",
    };

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = $"Read the token from this file (default: {TokenFileVariable}; else LARDER_TOKEN or the config).",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(TokenFile);
    }

    /// <summary>The cache and a client for it.</summary>
    public (CacheTarget Target, LarderClient Client) Open(ParseResult parse, string cacheArgument)
    {
        var token = ReadToken(parse.GetValue(TokenFile) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenFileVariable)));
        if (parse.GetValue(Server) is { } url)
        {
            var server = new ServerTarget(url, ServerResolver.ParseServerUrl(url), token ?? NonEmpty(Environment.GetEnvironmentVariable("LARDER_TOKEN")));
            return (new CacheTarget(server, cacheArgument), new LarderClient(server, MaxRetries));
        }
        var target = CliEnvironment.Resolver().ResolveCache(cacheArgument);
        if (token is not null)
        {
            target = target with { Server = target.Server with { Token = token } };
        }
        return (target, new LarderClient(target.Server, MaxRetries));
    }

    private static string? ReadToken(string? file)
    {
        if (file is null)
        {
            return null;
        }
        try
        {
            return NonEmpty(File.ReadAllText(file).Trim()) ?? throw new CliException($"the token file '{file}' is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the token file '{file}': {e.Message}");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
