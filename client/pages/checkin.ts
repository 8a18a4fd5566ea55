// Participant check-in entry: ?token=<participant token>&site=
import { boot } from '../ui/app.js';
import { CheckInApp } from '../ui/checkin/app.js';

boot('checkin', CheckInApp);
