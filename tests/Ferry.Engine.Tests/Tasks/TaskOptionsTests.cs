using Ferry.Core.Configuration;
using Ferry.Engine.Tasks;

namespace Ferry.Engine.Tests.Tasks;

public sealed class TaskOptionsTests
{
    [Fact]
    public void Defaults_put_work_under_the_home_and_run_locally_only()
    {
        var o = TaskOptions.ForHome("/srv/ferry", Env.Of());
        Assert.Equal("/srv/ferry/tasks", o.WorkRoot);
        Assert.Null(o.SlurmConf);
        Assert.Equal(["local"], o.Executors);
        Assert.Equal(Math.Max(2, Environment.ProcessorCount), o.LocalSlots);
        Assert.Equal(20, o.SlurmMaxQueued);
        Assert.Equal(TimeSpan.FromSeconds(10), o.RetryDelay);
    }

    [Fact]
    public void The_environment_sets_slots_slurm_and_the_retry_delay_which_may_be_zero()
    {
        var o = TaskOptions.ForHome("/srv/ferry", Env.Of(("FERRY_TASK_SLOTS", "3"), ("FERRY_SLURM_CONF", "/etc/slurm/slurm.conf"),
            ("FERRY_SLURM_MAX_QUEUED", "50"), ("FERRY_TASK_RETRY_SECONDS", "0")));
        Assert.Equal(3, o.LocalSlots);
        Assert.Equal("/etc/slurm/slurm.conf", o.SlurmConf);
        Assert.Equal(["local", "slurm"], o.Executors);
        Assert.Equal(50, o.SlurmMaxQueued);
        Assert.Equal(TimeSpan.Zero, o.RetryDelay);
    }

    [Fact]
    public void Zero_task_slots_is_refused()
    {
        var e = Assert.Throws<FerryConfigurationException>(() => TaskOptions.ForHome("/srv/ferry", Env.Of(("FERRY_TASK_SLOTS", "0"))));
        Assert.Contains("FERRY_TASK_SLOTS", e.Message);
    }

    [Fact]
    public void The_instance_tag_is_eight_hex_digits_fixed_per_home()
    {
        var a = TaskOptions.ForHome("/srv/a", Env.Of()).InstanceTag;
        Assert.Matches("^[0-9a-f]{8}$", a);
        Assert.Equal(a, TaskOptions.ForHome("/srv/a", Env.Of()).InstanceTag);
        Assert.NotEqual(a, TaskOptions.ForHome("/srv/b", Env.Of()).InstanceTag);
    }

    [Fact]
    public void A_work_dir_is_task_then_five_digit_job_then_attempt()
    {
        var o = TaskOptions.ForHome("/srv/ferry", Env.Of());
        Assert.Equal("/srv/ferry/tasks/12/00007/2", o.WorkDir(12, 7, 2));
    }
}
