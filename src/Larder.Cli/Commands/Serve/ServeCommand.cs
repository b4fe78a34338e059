using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Server;
using Larder.Server.Access;
using Larder.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Larder.Cli.Commands.Serve;

/// <summary><c>larder serve [--listen HOST:PORT] [--data DIR] [--config FILE] [--Larder:Key=value …]</c>: runs the server.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen") { Description = $"Address to listen on (default 127.0.0.1:{LarderOptions.DefaultPort}; port 0 picks a free one)." };
        var data = new Option<string?>("--data") { Description = "Data directory: SQLite database, blobs, admin token, larder.json (default ./larder-data, or LARDER_DATA)." };
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (appsettings style, keys under \"Larder\")." };
        var settings = new Argument<string[]>("--Larder:Key=value")
        {
            Description = "Configuration keys, e.g. --Larder:MaxUploadBytes=1073741824 (also as --Larder:Key value).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("serve", """
            Run the Larder server: the Nix binary cache protocol at /<cache>/ and the API at /api/v1.
            On first start it creates an admin token, prints it once and writes it to DATA/admin-token (mode 0600).
            Any configuration key can also be given as --Larder:Key=value or as an environment variable Larder__Key.

            Examples:
              larder serve
              larder serve --listen 0.0.0.0:5180 --data /var/lib/larder
              larder serve --config /etc/larder.json --Larder:MaxUploadBytes=1073741824
            """)
        {
            listen, data, config, settings,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var args = new List<string>();
            AddSwitch(args, "--listen", parse.GetValue(listen));
            AddSwitch(args, "--data", parse.GetValue(data));
            AddSwitch(args, "--config", parse.GetValue(config));
            var expectValue = false;
            foreach (var token in parse.GetValue(settings) ?? [])
            {
                // Accept both "--Larder:Key=value" and "--Larder:Key value".
                if (token.StartsWith("--Larder:", StringComparison.OrdinalIgnoreCase))
                {
                    expectValue = !token.Contains('=', StringComparison.Ordinal);
                }
                else if (expectValue && !token.StartsWith('-'))
                {
                    expectValue = false;
                }
                else
                {
                    throw new CliException($"unknown argument '{token}'", "configuration keys are given as --Larder:Key=value");
                }
                args.Add(token);
            }
            if (expectValue)
            {
                throw new CliException($"'{args[^1]}' needs a value", "configuration keys are given as --Larder:Key=value");
            }
            return await RunAsync([.. args], ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = LarderServer.Build(args);
        }
        catch (LarderConfigurationException e)
        {
            throw new CliException(e.Message, e.Hint ?? "see 'larder serve --help' for the configuration sources");
        }
        await using (app.ConfigureAwait(false))
        {
            var options = app.Services.GetRequiredService<IOptions<LarderOptions>>().Value;
            try
            {
                ListenAddress.Parse(options.Listen).EnsureFree();
            }
            catch (LarderConfigurationException e)
            {
                throw new CliException(e.Message, e.Hint);
            }
            var adminSecret = await LarderServer.InitializeAsync(app, cancellationToken).ConfigureAwait(false);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliException($"cannot listen: {e.Message}", "another process may use the port; choose one with --listen HOST:PORT");
            }
            foreach (var url in LarderServer.GetListenUrls(app))
            {
                Console.WriteLine($"larder: listening on {url}");
            }
            Console.WriteLine($"larder: data in {options.DataDir}");
            if (adminSecret is not null)
            {
                Console.WriteLine($"larder: created an admin token (shown once; also in {Path.Combine(options.DataDir, AdminTokenBootstrap.FileName)}):");
                Console.WriteLine(adminSecret);
            }
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        return 0;
    }

    private static void AddSwitch(List<string> args, string name, string? value)
    {
        if (value is not null)
        {
            args.Add(name);
            args.Add(value);
        }
    }
}
