using Larder.Nix.NarInfo;
using Larder.Nix.Store;
using Larder.Server.BinaryCache;
using Larder.Server.Errors;
using Larder.Server.Ingest;

namespace Larder.Fuzz.Targets;

/// <summary>
/// A narinfo PUT as the server reads it: the body as text, <see cref="NarInfo.Parse"/>, and the publish request made
/// from it. An accepted narinfo must render as Nix writes it and read back as the same narinfo.
/// </summary>
internal sealed class NarInfoTarget : IFuzzTarget
{
    public string Name => "narinfo";

    public string Covers => "a narinfo PUT body: RequestBodies.ReadTextAsync, NarInfo.Parse, Render round trip, PublishRequest.FromNarInfo";

    public void Run(byte[] input)
    {
        NarInfo info;
        try
        {
            var text = RequestBodies.ReadTextAsync(FuzzRequests.WithBody(input), "the narinfo").GetAwaiter().GetResult();
            info = NarInfo.Parse(text);
        }
        catch (LarderException e) when (FuzzRequests.IsClientError(e))
        {
            return;
        }
        catch (NarInfoFormatException)
        {
            return;
        }
        catch (StorePathException)
        {
            return;
        }
        var rendered = info.Render();
        FuzzFindingException.Check(NarInfo.Parse(rendered).Render() == rendered, "a rendered narinfo does not read back as itself");
        try
        {
            _ = PublishRequest.FromNarInfo(info, FuzzRequests.Cache);
        }
        catch (InvalidRequestException)
        {
        }
    }
}
