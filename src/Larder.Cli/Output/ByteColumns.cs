using Spectre.Console;
using Spectre.Console.Rendering;

namespace Larder.Cli.Output;

/// <summary>
/// Progress columns in the same binary units as the summary line (<see cref="ByteSize"/>): Spectre's own columns use
/// decimal MB and show <c>?/s</c> before the first sample.
/// </summary>
internal static class ByteColumns
{
    /// <summary><c>12.0 MiB/40.5 MiB</c>.</summary>
    public sealed class Transferred : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{ByteSize.Format((long)task.Value)}/{ByteSize.Format((long)task.MaxValue)}");
    }

    /// <summary><c>8.1 MiB/s</c>, or nothing until there is a speed to show.</summary>
    public sealed class Speed : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            task.Speed is { } speed && speed > 0 ? new Text($"{ByteSize.Format((long)speed)}/s") : Text.Empty;
    }
}
