import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import type {
	ActiveSpeakerObserver,
	ActiveSpeakerObserverEvents,
	ActiveSpeakerObserverObserver,
	ActiveSpeakerObserverObserverEvents,
	ActiveSpeakerObserverDominantSpeaker,
} from './ActiveSpeakerObserverTypes';
import { RtpObserverImpl, type RtpObserverInternal, toUint16 } from './RtpObserver';
import { optionsRecord, validateAppData } from './validation';
import type { AppData } from './typesGeneric';
import type { Notification } from './fbs/notification/notification';
import { Event } from './fbs/notification/event';
import { ActiveSpeakerObserverOptions as FbsActiveSpeakerObserverOptions } from './fbs/active-speaker-observer/active-speaker-observer-options';
import { DominantSpeakerNotification as FbsDominantSpeakerNotification } from './fbs/active-speaker-observer/dominant-speaker-notification';
import { CreateActiveSpeakerObserverRequest as FbsCreateActiveSpeakerObserverRequest } from './fbs/router/create-active-speaker-observer-request';

const logger = new Logger('ActiveSpeakerObserver');

export type NormalizedActiveSpeakerObserverOptions = {
	interval: number;
	appData?: AppData;
};

export class ActiveSpeakerObserverImpl<ActiveSpeakerObserverAppData extends AppData = AppData>
	extends RtpObserverImpl<
		ActiveSpeakerObserverAppData,
		ActiveSpeakerObserverEvents,
		ActiveSpeakerObserverObserver
	>
	implements ActiveSpeakerObserver<ActiveSpeakerObserverAppData>
{
	constructor({
		internal,
		channel,
		appData,
	}: {
		internal: RtpObserverInternal;
		channel: Channel;
		appData?: ActiveSpeakerObserverAppData;
	}) {
		super({
			internal,
			channel,
			appData,
			observer: new EnhancedEventEmitter<ActiveSpeakerObserverObserverEvents>(),
		});

		logger.debug('constructor()');

		this.#handleWorkerNotifications();
	}

	get type(): 'activespeaker' {
		return 'activespeaker';
	}

	#handleWorkerNotifications(): void {
		this.channel.on(this.id, (event: Event, notification: Notification) => {
			switch (event) {
				case Event.ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER: {
					const body = new FbsDominantSpeakerNotification();

					notification.body(body);

					const producer = this.getProducerById(body.producerId()!);

					// Closed meanwhile: nothing to tell about it.
					if (!producer) {
						break;
					}

					const dominantSpeaker: ActiveSpeakerObserverDominantSpeaker = { producer };

					this.safeEmit('dominantspeaker', dominantSpeaker);
					this.observer.safeEmit('dominantspeaker', { producer });

					break;
				}

				default: {
					logger.error(`ignoring unknown event "${event}"`);
				}
			}
		});
	}
}

/**
 * Checks the options of Router.createActiveSpeakerObserver() and fills in the
 * defaults. Throws TypeError naming the bad field.
 */
export function normalizeActiveSpeakerObserverOptions(
	options: unknown
): NormalizedActiveSpeakerObserverOptions {
	const o = optionsRecord(options, true);
	const { interval = 300, appData } = o;

	if (typeof interval !== 'number' || Number.isNaN(interval)) {
		throw new TypeError('if given, interval must be a number');
	}

	validateAppData(appData);

	return { interval, appData: appData as AppData | undefined };
}

export function serializeCreateActiveSpeakerObserverRequest(
	builder: flatbuffers.Builder,
	rtpObserverId: string,
	options: NormalizedActiveSpeakerObserverOptions
): number {
	const rtpObserverIdOffset = builder.createString(rtpObserverId);
	// The worker clamps the interval to its own range.
	const optionsOffset = FbsActiveSpeakerObserverOptions.createActiveSpeakerObserverOptions(
		builder,
		toUint16(options.interval)
	);

	FbsCreateActiveSpeakerObserverRequest.startCreateActiveSpeakerObserverRequest(builder);
	FbsCreateActiveSpeakerObserverRequest.addRtpObserverId(builder, rtpObserverIdOffset);
	FbsCreateActiveSpeakerObserverRequest.addOptions(builder, optionsOffset);

	return FbsCreateActiveSpeakerObserverRequest.endCreateActiveSpeakerObserverRequest(builder);
}
