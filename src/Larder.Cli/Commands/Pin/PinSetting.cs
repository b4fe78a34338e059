using Larder.Cli.Config;
using Larder.Cli.Output;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary>What <c>pin add</c> and <c>pin set</c> share: send the new revision, print the pin.</summary>
internal static class PinSetting
{
    /// <summary>Sets a revision of pin <paramref name="name"/> in <paramref name="cacheArgument"/> and prints it (as JSON with <paramref name="json"/>).</summary>
    public static async Task SetAsync(string cacheArgument, string name, SetPinRequest request, bool json, CancellationToken ct)
    {
        var (target, client) = CliEnvironment.OpenCache(cacheArgument);
        using var _ = client;
        var pin = await client.SetPinAsync(target.Cache, name, request, ct).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(pin, PinJsonContext.Default.PinDto);
        }
        else
        {
            Console.Out.WriteLine(PinText.Summary(pin, target.Server.BaseUrl));
        }
    }
}
