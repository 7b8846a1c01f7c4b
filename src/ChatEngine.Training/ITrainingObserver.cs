namespace ChatEngine.Training;

/// <summary>Receives a run's events (on the training thread).</summary>
public interface ITrainingObserver
{
    void StepCompleted(TrainingProgress progress);

    void ValidationCompleted(ValidationPoint point);
}
