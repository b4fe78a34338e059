using System.Globalization;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary>
/// Prints a NAR's nodes one per line as Nix 2.8's <c>nix nar ls -R [--long] FILE /</c> does: the root directory itself is
/// not listed, its descendants are <c>./path</c>; a non-directory root is listed with an empty path. The long form is
/// <c>MODE SIZE(20 wide) PATH[ -> TARGET]</c> with Nix's fixed read-only modes.
/// </summary>
internal sealed class NarTextListing(TextWriter output, bool longFormat) : INarVisitor
{
    public ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken)
    {
        if (!node.IsRoot)
        {
            WriteLine("dr-xr-xr-x", 0, node, null);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken)
    {
        WriteLine(file.Executable ? "-r-xr-xr-x" : "-r--r--r--", file.Size, node, null);
        return ValueTask.CompletedTask;
    }

    public ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken)
    {
        WriteLine("lrwxrwxrwx", 0, node, target);
        return ValueTask.CompletedTask;
    }

    private void WriteLine(string mode, long size, NarNode node, string? target)
    {
        var path = node.IsRoot ? "" : "./" + node.Path;
        if (!longFormat)
        {
            output.Write(path);
            output.Write('\n');
            return;
        }
        output.Write(mode);
        output.Write(' ');
        output.Write(size.ToString(CultureInfo.InvariantCulture).PadLeft(20));
        output.Write(' ');
        output.Write(path);
        if (target is not null)
        {
            output.Write(" -> ");
            output.Write(target);
        }
        output.Write('\n');
    }
}
