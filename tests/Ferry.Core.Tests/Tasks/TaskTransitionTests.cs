using Ferry.Core.Tasks;

namespace Ferry.Core.Tests.Tasks;

public sealed class TaskTransitionTests
{
    private static ActionAnswer Act(TaskAction a, TaskState s, string caller = "alice", bool admin = false, bool started = true) =>
        TaskTransitions.Decide(a, 7, "alice", s, caller, admin, started);

    [Theory]
    [InlineData(TaskState.Finished, true)]
    [InlineData(TaskState.Failed, true)]
    [InlineData(TaskState.Aborted, true)]
    [InlineData(TaskState.Exhausted, true)]
    [InlineData(TaskState.Done, false)]
    [InlineData(TaskState.Running, false)]
    [InlineData(TaskState.Paused, false)]
    [InlineData(TaskState.Broken, false)]
    [InlineData(TaskState.Registered, false)]
    public void Retry_is_allowed_only_from_finished_failed_aborted_exhausted(TaskState from, bool allowed)
    {
        var a = Act(TaskAction.Retry, from);
        Assert.Equal(allowed ? ActionCode.Ok : ActionCode.WrongStatus, a.Code);
        if (allowed) Assert.Equal(TaskState.Ready, a.To);
        else Assert.Contains("needs finished, failed, aborted or exhausted", a.Message);
    }

    [Theory]
    [InlineData(TaskState.Finished, false)]
    [InlineData(TaskState.Failed, false)]
    [InlineData(TaskState.Done, false)]
    [InlineData(TaskState.Aborted, false)]
    [InlineData(TaskState.Broken, false)]
    [InlineData(TaskState.Paused, false)]
    [InlineData(TaskState.Running, true)]
    [InlineData(TaskState.Ready, true)]
    [InlineData(TaskState.Registered, true)]
    [InlineData(TaskState.Defined, true)]
    [InlineData(TaskState.Finishing, true)]
    public void Pause_is_refused_from_JEDIs_list(TaskState from, bool allowed)
    {
        var a = Act(TaskAction.Pause, from);
        Assert.Equal(allowed ? ActionCode.Ok : ActionCode.WrongStatus, a.Code);
        if (allowed) Assert.Equal(TaskState.Paused, a.To);
    }

    [Fact]
    public void Unpause_returns_to_running_once_a_job_started_and_to_ready_before()
    {
        Assert.Equal(TaskState.Running, Act(TaskAction.Unpause, TaskState.Paused, started: true).To);
        Assert.Equal(TaskState.Ready, Act(TaskAction.Unpause, TaskState.Paused, started: false).To);
        Assert.Equal(ActionCode.WrongStatus, Act(TaskAction.Unpause, TaskState.Running).Code);
    }

    [Fact]
    public void Kill_and_finish_are_refused_once_a_task_ended()
    {
        foreach (var s in TaskStateNames.AllTaskStates)
        {
            Assert.Equal(s.IsFinal() ? ActionCode.WrongStatus : ActionCode.Ok, Act(TaskAction.Kill, s).Code);
            Assert.Equal(s.IsFinal() || s == TaskState.Finishing ? ActionCode.WrongStatus : ActionCode.Ok, Act(TaskAction.Finish, s).Code);
        }
        Assert.Equal(TaskState.Aborted, Act(TaskAction.Kill, TaskState.Running).To);
        Assert.Equal(TaskState.Finishing, Act(TaskAction.Finish, TaskState.Paused).To);
    }

    [Fact]
    public void Only_the_owner_or_an_admin_acts_and_a_missing_task_is_not_found()
    {
        var denied = Act(TaskAction.Kill, TaskState.Running, caller: "bob");
        Assert.Equal(ActionCode.PermissionDenied, denied.Code);
        Assert.Equal("permission denied", denied.Status);
        Assert.Contains("only its owner alice", denied.Message);
        Assert.True(Act(TaskAction.Kill, TaskState.Running, caller: "root", admin: true).Ok);
        var missing = TaskTransitions.Decide(TaskAction.Kill, 99, null, TaskState.Running, "alice", true, false);
        Assert.Equal(ActionCode.NotFound, missing.Code);
        Assert.Equal(2, (int)missing.Code);
        Assert.Equal("Task 99 does not exist", missing.Message);
    }

    [Fact]
    public void Permission_is_checked_before_status()
    {
        // A stranger learns nothing about the task's state from the refusal.
        var a = TaskTransitions.Decide(TaskAction.Retry, 7, "alice", TaskState.Running, "bob", false, true);
        Assert.Equal(ActionCode.PermissionDenied, a.Code);
        Assert.DoesNotContain("running", a.Message);
    }

    [Theory]
    [InlineData(5, 0, 0, TaskState.Done)]
    [InlineData(4, 1, 0, TaskState.Finished)]
    [InlineData(4, 0, 1, TaskState.Finished)]
    [InlineData(0, 5, 0, TaskState.Failed)]
    [InlineData(0, 0, 3, TaskState.Failed)]
    public void Outcome_follows_the_jobs(int finished, int failed, int cancelled, TaskState expected) =>
        Assert.Equal(expected, TaskTransitions.Outcome(finished, failed, cancelled));

    [Fact]
    public void Exhaustion_and_completion()
    {
        Assert.False(TaskTransitions.IsExhausted(10, null));
        Assert.False(TaskTransitions.IsExhausted(2, 2));
        Assert.True(TaskTransitions.IsExhausted(3, 2));
        Assert.Equal(40, TaskTransitions.Completion(4, 10));
        Assert.Equal(0, TaskTransitions.Completion(0, 0));
    }

    [Fact]
    public void States_have_JEDI_wire_names_and_unknown_ones_are_refused()
    {
        Assert.Equal("exhausted", TaskState.Exhausted.Wire());
        Assert.Equal(TaskState.Finishing, TaskStateNames.ParseTaskState("FINISHING"));
        Assert.Equal(JobState.Cancelled, TaskStateNames.ParseJobState("cancelled"));
        var e = Assert.Throws<Ferry.Core.Errors.FerryException>(() => TaskStateNames.ParseTaskState("tobekilled"));
        Assert.Contains("registered, defined, ready", e.Message);
        Assert.Throws<Ferry.Core.Errors.FerryException>(() => TaskStateNames.ParseTaskState("3"));
    }
}
