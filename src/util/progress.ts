/** A line of progress: one per step of a command that takes more than a second. */
export type Progress = (step: string, detail?: string) => void;
