using System.CommandLine;
using Larder.Cli;

var root = new RootCommand("Larder: a self-hosted Nix binary cache (server and client).");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}
return await root.Parse(args).InvokeAsync();
