using Larder.Cli.Commands.Use;

namespace Larder.Cli.Tests.Use;

public sealed class NetrcEditorTests
{
    [Fact]
    public void Entry_is_added_to_an_empty_file()
    {
        var (text, changed) = NetrcEditor.SetMachine("", "cache.test", "larder", "secret");

        Assert.True(changed);
        Assert.Equal("machine cache.test login larder password secret\n", text);
    }

    [Fact]
    public void Other_hosts_are_kept_exactly_and_the_same_host_is_replaced()
    {
        const string before = "machine a.example\n  login me\n  password one\nmachine cache.test login larder password old\ndefault login anon password x\n";

        var (text, changed) = NetrcEditor.SetMachine(before, "cache.test", "larder", "new");

        Assert.True(changed);
        Assert.Equal("machine a.example\n  login me\n  password one\nmachine cache.test login larder password new\ndefault login anon password x\n", text);
    }

    [Fact]
    public void Same_credentials_in_another_layout_change_nothing()
    {
        const string before = "machine cache.test\n\tlogin larder\n\tpassword secret\n";

        var (text, changed) = NetrcEditor.SetMachine(before, "cache.test", "larder", "secret");

        Assert.False(changed);
        Assert.Equal(before, text);
    }

    [Fact]
    public void A_file_without_a_final_newline_gets_one_before_the_new_entry()
    {
        var (text, _) = NetrcEditor.SetMachine("machine a login b password c", "cache.test", "larder", "s");

        Assert.Equal("machine a login b password c\nmachine cache.test login larder password s\n", text);
    }

    [Fact]
    public void Machine_is_read_whatever_its_layout()
    {
        const string text = "machine a.example login me password one\nmachine cache.test\n\tlogin larder\n\tpassword secret\n";

        Assert.Equal(("larder", "secret"), NetrcEditor.GetMachine(text, "cache.test"));
        Assert.Null(NetrcEditor.GetMachine(text, "missing.test"));
    }

    [Fact]
    public void Removing_a_machine_keeps_every_other_entry_exactly()
    {
        const string text = "machine a.example\n  login me\n  password one\nmachine cache.test login larder password s\ndefault login anon password x\n";

        var (after, changed) = NetrcEditor.RemoveMachine(text, "cache.test");

        Assert.True(changed);
        Assert.Equal("machine a.example\n  login me\n  password one\ndefault login anon password x\n", after);
        Assert.False(NetrcEditor.RemoveMachine(after, "cache.test").Changed);
    }
}
