using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Larder.Cli.Output;

/// <summary>Prints a value as JSON on stdout (for <c>--json</c>).</summary>
internal static class JsonOutput
{
    public static void Write<T>(T value, JsonTypeInfo<T> type)
    {
        var text = JsonSerializer.Serialize(value, type);
        Console.Out.WriteLine(text);
    }
}
