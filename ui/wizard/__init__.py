"""The wizard: one QWizardPage subclass per step, all reading and writing one ScenarioState."""
