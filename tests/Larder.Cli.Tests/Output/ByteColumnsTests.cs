using Larder.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Larder.Cli.Tests.Output;

public sealed class ByteColumnsTests
{
    [Fact]
    public void Progress_shows_binary_units_like_the_summary_and_no_speed_before_there_is_one()
    {
        var task = new ProgressTask(1, "pushing", maxValue: 3 << 20, autoStart: true);
        task.Increment(1 << 20);

        Assert.Equal("1.0 MiB/3.0 MiB", Render(new ByteColumns.Transferred(), task));
        Assert.Equal("", Render(new ByteColumns.Speed(), new ProgressTask(2, "pushing", maxValue: 1, autoStart: true)));
    }

    private static string Render(ProgressColumn column, ProgressTask task)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Write(column.Render(RenderOptions.Create(console), task, TimeSpan.Zero));
        return output.ToString().Trim();
    }
}
