using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary>The keep options of <c>pin add</c> and <c>pin set</c>: at most one of them.</summary>
internal sealed class PinKeepOptions
{
    public Option<int?> Revisions { get; } = new("--keep-revisions") { Description = "Protect the newest N revisions' closures (default for a new pin: 1, only the current one)." };

    public Option<int?> Days { get; } = new("--keep-days") { Description = "Protect revisions replaced less than D days ago (and the current one)." };

    public Option<bool> Forever { get; } = new("--keep-forever") { Description = "Protect every revision's closure until the pin is removed." };

    public void AddTo(Command command)
    {
        command.Options.Add(Revisions);
        command.Options.Add(Days);
        command.Options.Add(Forever);
    }

    /// <summary>A request carrying the keep option given (the server checks the ranges).</summary>
    public SetPinRequest Apply(ParseResult parse, SetPinRequest request)
    {
        var revisions = parse.GetValue(Revisions);
        var days = parse.GetValue(Days);
        var forever = parse.GetValue(Forever);
        if ((revisions is null ? 0 : 1) + (days is null ? 0 : 1) + (forever ? 1 : 0) > 1)
        {
            throw new CliException("--keep-revisions, --keep-days and --keep-forever contradict each other: give at most one");
        }
        return request with { KeepRevisions = revisions, KeepDays = days, KeepForever = forever ? true : null };
    }
}
