using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Login;

/// <summary><c>larder logout [NAME]</c>: forgets a server and its token.</summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "The server to forget (default: the default server).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logout", """
            Forget a server and its token. If it was the default, another remaining server becomes the default.

            Examples:
              larder logout work
            """)
        {
            name,
        };
        command.SetHandler((parse, _) =>
        {
            var store = CliEnvironment.Store();
            var config = store.Load();
            var serverName = parse.GetValue(name) ?? config.DefaultServer
                ?? throw new CliException("not logged in to any server");
            if (!config.Servers.Remove(serverName))
            {
                var known = config.Servers.Count == 0 ? "none" : string.Join(", ", config.Servers.Keys);
                throw new CliException($"not logged in to a server named '{serverName}' (known servers: {known})");
            }
            if (config.DefaultServer == serverName)
            {
                config.DefaultServer = config.Servers.Keys.FirstOrDefault();
            }
            store.Save(config);
            Console.Out.WriteLine(config.DefaultServer is null
                ? $"logged out of {serverName}; no servers left"
                : $"logged out of {serverName}; default server: {config.DefaultServer}");
            return Task.FromResult(0);
        });
        return command;
    }
}
