import type { EnhancedEventEmitter } from './enhancedEvents';
import type { Producer } from './ProducerTypes';
import type { RtpObserver, RtpObserverEvents, RtpObserverObserverEvents } from './RtpObserverTypes';
import type { AppData } from './typesGeneric';

export type ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData extends AppData = AppData> = {
	/**
	 * Interval in ms between two decisions on the dominant speaker. Default 300.
	 */
	interval?: number;

	/**
	 * Custom application data.
	 */
	appData?: ActiveSpeakerObserverAppData;
};

export type ActiveSpeakerObserverDominantSpeaker = {
	/**
	 * The audio Producer instance.
	 */
	producer: Producer;
};

export type ActiveSpeakerObserverEvents = RtpObserverEvents & {
	dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

export type ActiveSpeakerObserverObserver =
	EnhancedEventEmitter<ActiveSpeakerObserverObserverEvents>;

export type ActiveSpeakerObserverObserverEvents = RtpObserverObserverEvents & {
	dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

export interface ActiveSpeakerObserver<
	ActiveSpeakerObserverAppData extends AppData = AppData,
> extends RtpObserver<
	ActiveSpeakerObserverAppData,
	ActiveSpeakerObserverEvents,
	ActiveSpeakerObserverObserver
> {
	/**
	 * RtpObserver type.
	 */
	get type(): 'activespeaker';

	/**
	 * Observer.
	 */
	get observer(): ActiveSpeakerObserverObserver;
}
