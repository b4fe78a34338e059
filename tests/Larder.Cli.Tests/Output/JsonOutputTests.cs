using Larder.Cli.Commands.Push;
using Larder.Cli.Output;

namespace Larder.Cli.Tests.Output;

public sealed class JsonOutputTests
{
    [Fact]
    public void Json_for_scripts_keeps_plus_signs_and_gives_elapsed_time_as_seconds()
    {
        var summary = new PushSummary(3, 1, 0, 2, 2048, 2048, 0, [new PushFailure("/nix/store/abc-g++-13", "x")], TimeSpan.FromMilliseconds(1534.4));

        var json = JsonOutput.Serialize(summary, CliJsonContext.Default.PushSummary);

        Assert.Contains("\"storePath\": \"/nix/store/abc-g++-13\"", json);
        Assert.Contains("\"elapsedSeconds\": 1.534", json);
        Assert.DoesNotContain("\"elapsed\":", json);
    }
}
